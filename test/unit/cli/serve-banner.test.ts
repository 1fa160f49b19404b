import { describe, expect, it } from 'vitest';
import { serveBanner } from '../../../src/cli/serve-command.ts';

describe('the serve banner', () => {
  it('prints a curl that works as printed without auth', () => {
    const banner = serveBanner('http://127.0.0.1:8787');
    expect(banner).toContain("curl -s http://127.0.0.1:8787/search -H 'content-type: application/json'");
    expect(banner).not.toContain('token create');
    expect(banner).toContain('MCP endpoint for coding agents: http://127.0.0.1:8787/mcp');
  });

  it('with auth, mints a narrow token with the same keys the server uses', () => {
    // A token for every repository is not an example to copy; the key file must be the server's own
    const banner = serveBanner('http://127.0.0.1:8787', {
      keyFile: "/home/dev/my keys/k's.json",
      exampleRepo: 'acme/api',
    });
    expect(banner).toContain(
      `token create --sub me --repos acme/api --ttl 1d --key-file '/home/dev/my keys/k'\\''s.json'`,
    );
    expect(banner).not.toMatch(/--repos '\*'/);
    expect(
      serveBanner('http://x:1', { secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:keys' }),
    ).toContain('--repos OWNER/NAME --ttl 1d --secret-id arn:aws:secretsmanager:eu-west-1:1:secret:keys');
  });
});
