// Hub failures as errors a person can act on: a gated or private repo asks for a token (HUB_AUTH), a refused token
// says so, a missing repo or revision names it, and an unreachable Hub names the endpoint and $HF_ENDPOINT.
import { HubApiError } from '@huggingface/hub';
import { PeftLabError } from '../../src-shared/errors';

export interface HubErrorContext {
  repo: string;
  revision: string;
  endpoint: string;
  hadToken: boolean;
  /** The file being fetched, if any. */
  file?: string;
}

const TOKEN_HELP = 'give a Hugging Face token with read access (in the app: the token box of the download panel; CLI: --token hf_… or $HF_TOKEN; or log in with `hf auth login`)';

export function statusError(status: number, ctx: HubErrorContext, serverMessage?: string): PeftLabError {
  const what = ctx.file ? `${ctx.file} of ${ctx.repo}@${ctx.revision}` : `${ctx.repo}@${ctx.revision}`;
  const said = serverMessage ? ` (the Hub said: ${serverMessage.slice(0, 300)})` : '';
  const details = { repo: ctx.repo, revision: ctx.revision, status, file: ctx.file ?? null, needsToken: false };
  if (status === 401 || (status === 403 && !ctx.hadToken)) {
    return new PeftLabError('HUB_AUTH', `${what} needs a token: the model is gated or private${said}. Accept its licence on ${ctx.endpoint}/${ctx.repo}, then ${TOKEN_HELP}.`, { ...details, needsToken: true });
  }
  if (status === 403) {
    return new PeftLabError('HUB_AUTH', `the token was refused for ${what}${said}: it has no access to this repo. Accept the licence on ${ctx.endpoint}/${ctx.repo} with the account the token belongs to, or ${TOKEN_HELP}.`, { ...details, needsToken: true });
  }
  if (status === 404) {
    return new PeftLabError('HUB_UNAVAILABLE', `${what} was not found on ${ctx.endpoint}${said}; check the repo id and the revision (branch, tag or commit)${ctx.hadToken ? '' : '; a private repo also answers "not found" without a token'}`, details);
  }
  return new PeftLabError('HUB_UNAVAILABLE', `${ctx.endpoint} answered ${status} for ${what}${said}; try again later`, details);
}

/** Turns whatever the library or fetch threw into a PeftLabError (PeftLabErrors pass through). */
export function hubError(err: unknown, ctx: HubErrorContext): PeftLabError {
  if (err instanceof PeftLabError) return err;
  if (err instanceof HubApiError) return statusError(err.statusCode, ctx, err.message.split('. URL:')[0]);
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError') return new PeftLabError('CANCELLED', `download of ${ctx.repo} cancelled; run it again to resume`);
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new PeftLabError('HUB_UNAVAILABLE', `could not reach the Hub at ${ctx.endpoint} (${cause}); check the network, or set HF_ENDPOINT / --endpoint to a mirror`, { repo: ctx.repo });
}
