import { useEffect, useState } from 'preact/hooks';
import { encode } from 'uqr';
import { apiFor, type Problem, type Schemas, unwrap } from '../api.ts';
import type { Session } from '../session.ts';
import { Field, FormProblem, Page } from '../ui.tsx';

/** The otpauth URL as a QR code, drawn as one SVG path from the module matrix (no innerHTML). */
function QrCode({ text }: { text: string }) {
  const { data, size } = encode(text, { border: 2 });
  let path = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label="QR code of the authenticator URL below"
      width="192"
      height="192"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/** TOTP enrolment, the first thing a staff member does after choosing a password (SPEC §7). */
export function EnrolMfa({
  session,
  setSession,
}: {
  session: Session;
  setSession: (session: Session | null) => void;
}) {
  const [setup, setSetup] = useState<Schemas['MfaSetup'] | null>(null);
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);

  useEffect(() => {
    unwrap(apiFor(session).POST('/v1/auth/mfa/setup')).then(setSetup, (error: Problem) =>
      setProblem(error),
    );
  }, [session]);

  const confirm = async (e: Event) => {
    e.preventDefault();
    try {
      const reply = await unwrap(
        apiFor(session).POST('/v1/auth/mfa/confirm', { body: { code: code.trim() } }),
      );
      setProblem(null);
      setCodes(reply.recoveryCodes);
    } catch (error) {
      const p = error as Problem;
      // The enrolment errors name no field: the code is the only one there is.
      setProblem({ ...p, errors: p.errors.length ? p.errors : [{ path: 'code', message: '' }] });
    }
  };

  if (codes)
    return (
      <Page title="Recovery codes">
        <p>
          Each code signs you in once in place of an authentication code. They are shown this once:
          keep them somewhere safe.
        </p>
        <ul class="codes" aria-label="Recovery codes">
          {codes.map((one) => (
            <li key={one}>
              <code>{one}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => setSession({ ...session, mfaEnrolled: true })}>
          I have saved them
        </button>
      </Page>
    );

  return (
    <Page title="Set up two-factor sign-in">
      <p>Scan the code with an authenticator app, or enter the key by hand, then type its code.</p>
      {setup && (
        <>
          <QrCode text={setup.otpauthUrl} />
          <p>
            Key: <code class="secret">{setup.secret}</code>
          </p>
          <p>
            URL: <code class="secret">{setup.otpauthUrl}</code>
          </p>
        </>
      )}
      <form onSubmit={confirm}>
        <Field label="Authentication code" path="code" problem={problem}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="\d{6}"
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormProblem problem={problem} fields={['code']} />
        <button type="submit" disabled={!setup}>
          Confirm
        </button>
        <button type="button" class="secondary" onClick={() => setSession(null)}>
          Sign out
        </button>
      </form>
    </Page>
  );
}
