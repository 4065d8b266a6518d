import { test, expect } from '@playwright/test';

test('share a gist', async ({ request }) => {
  const created = await request.post('/meta/gist', { data: { code: 'fn main() {}' } });
  const { id } = await created.json();
  const fetched = await request.get(`/meta/gist/${id}`);
  expect(fetched.ok()).toBeTruthy();
});
