// Reading a Content-Security-Policy for the security tests: its directives, and the sources that govern scripts.

/** The CSP as a map of directive → sources. */
export function parseCsp(text: string): Map<string, string[]> {
  return new Map(text.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name.toLowerCase(), sources];
  }));
}

/** The sources that govern scripts: script-src-elem, script-src, or default-src, whichever is set first. */
export function scriptSources(csp: Map<string, string[]>): string[] {
  return csp.get('script-src-elem') ?? csp.get('script-src') ?? csp.get('default-src') ?? ['*'];
}
