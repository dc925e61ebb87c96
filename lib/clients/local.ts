/**
 * Local emulators accept any credentials, but the SDK refuses to sign without some. Real
 * credentials win when the environment has them.
 */
export const localCredentials = () => ({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'local',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local',
});
