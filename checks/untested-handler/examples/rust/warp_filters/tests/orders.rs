#[tokio::test]
async fn gets_an_order() {
    let api = orders::routes(orders::Db);
    let res = warp::test::request().method("GET").path("/orders/5").reply(&api).await;
    assert_eq!(res.status(), 200);
}
