from warpgate_sdk import Api


def test_user_can_read_own_otp_credentials(api: Api, user_id):
    otp = api.get_otp_credentials(user_id)
    assert otp == []
