// The sender of every e-mail and the SES identity the mailer may send as. The local stage has an
// example sender (its SES is the emulator); any other stage must be told a real, verified one,
// so a deployment never sends from an address nobody owns.
const EXAMPLE_SENDER = 'no-reply@backup.example.com';

async function sender({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const from = (process.env.MAIL_FROM ?? '').trim();
  if (stage === 'local') return from || EXAMPLE_SENDER;
  if (
    !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(from) ||
    /@(.+\.)?example\.(com|org|net)$/i.test(from)
  ) {
    throw new Error(
      `MAIL_FROM must be the SES-verified address stage "${stage}" sends e-mail from (now: ${from ? `"${from}"` : 'not set'}), e.g. MAIL_FROM=no-reply@mail.your-company.com npx osls deploy --stage ${stage}. See README "Deploying".`,
    );
  }
  return from;
}

module.exports.from = sender;

/** The identity SendEmail is allowed on: MAIL_IDENTITY if given, else the sender's domain. */
module.exports.identity = async (context) => {
  const from = await sender(context);
  return (process.env.MAIL_IDENTITY ?? '').trim() || from.slice(from.lastIndexOf('@') + 1);
};
