require 'net/http'

RSpec.describe 'evaluate' do
  it 'runs code' do
    res = post '/evaluate.json', { code: 'fn main() {}' }.to_json
    expect(res.status).to eq(200)
  end
end
