/** `GET /`: the search page. Public: it is static and holds no data (it calls the API with the user's token). */
import { searchPage } from '../../web/search-page.ts';
import { defineRoute } from '../route.ts';

export const pageRoute = defineRoute({
  method: 'GET',
  path: '/',
  summary: 'The search page (HTML).',
  access: 'public',
  responses: { 200: { description: 'The page.', contentType: 'text/html' } },
  handle: async () => {
    const page = searchPage();
    return { statusCode: 200, headers: page.headers, body: page.body };
  },
});
