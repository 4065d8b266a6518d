export async function login(user: string, password: string) {
  return fetch('/auth/login', { method: 'POST', body: JSON.stringify({ user, password }) });
}
