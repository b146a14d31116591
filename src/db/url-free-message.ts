import { redactText } from '../redaction';

/**
 * An error message with a database URL, its password and any other `user:password@` credentials
 * taken out: what a person may read in Slack or a log line.
 */
export function withoutUrl(message: string, url?: string): string {
  if (!url) return redactText(message);
  let out = message.split(url).join('[redacted]');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password.length >= 4) out = out.split(password).join('[redacted]');
  } catch {
    // Not a URL node can parse: nothing more to take out than the whole of it.
  }
  return redactText(out);
}
