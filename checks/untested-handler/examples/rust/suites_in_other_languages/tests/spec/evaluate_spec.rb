require 'net/http'

RSpec.describe 'evaluate' do
  it 'runs code' do
    res = post '/evaluate.json', { code: 'fn main() {}' }.to_json
    expect(res.status).to eq(200)
  end

  # The report isn't cached: ask for it by id.
  it 'shows a report' do
    id = 42
    res = get '/reports/' + id.to_s
    expect(res.status).to eq(200)
  end
end
