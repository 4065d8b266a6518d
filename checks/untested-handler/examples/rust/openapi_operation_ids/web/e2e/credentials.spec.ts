import { test, expect } from '@playwright/test';
import { api } from './client';

test('an admin sets a password', async () => {
  const created = await api.createPasswordCredential({ id: userId, newPassword: { password: 'x' } });
  expect(created.id).toBeTruthy();
});
