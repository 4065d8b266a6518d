require 'spec_helper'

RSpec.feature "Using the tools", type: :feature, js: true do
  before { visit '/' }

  scenario "formatting code" do
    click_on("Format")
    expect(page).to have_content 'fn main()'
  end

  scenario "sharing code" do
    click_on("Share")
    expect(page).to have_link 'Permalink'
  end
end
