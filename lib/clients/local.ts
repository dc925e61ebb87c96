/**
 * Local emulators accept any credentials, but the SDK refuses to sign without some. DynamoDB
 * Local keeps a database per access key, so every local part (the stack's table, its functions,
 * its stream poller, the operator commands) uses LOCAL_ACCESS_KEY_ID, never the shell's own AWS
 * key; a test gives itself a database by setting it.
 */
export const localCredentials = () => ({
  accessKeyId: process.env.LOCAL_ACCESS_KEY_ID || 'local',
  secretAccessKey: 'local',
});
