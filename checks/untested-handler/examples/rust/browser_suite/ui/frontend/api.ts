export const routes = {
  format: '/format',
  meta: {
    gistSave: '/meta/gist',
  },
};

export const header = (name: string) => `// ${name}`;

export async function format(code: string) {
  return jsonPost(routes.format, { code });
}
