/**
 * Ports of the stacks the tests start themselves: apart from `npm start`'s (8000, 8005, 3000…)
 * so the tests run while the service is running.
 */
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export const integrationPorts = {
  dynamoDb: port('TEST_DYNAMODB_PORT', 8100),
  ses: port('TEST_SES_PORT', 8105),
  /** serverless-offline's own port behind the front server, in the `npm start` lifecycle test. */
  lifecycleApi: port('TEST_LIFECYCLE_API_PORT', 8107),
  /** The front server's own test: it, and the upstream standing in for serverless-offline. */
  front: port('TEST_FRONT_PORT', 8108),
  frontUpstream: port('TEST_FRONT_UPSTREAM_PORT', 8109),
};

export const e2ePorts = {
  dynamoDb: port('E2E_DYNAMODB_PORT', 8200),
  ses: port('E2E_SES_PORT', 8205),
  http: port('E2E_HTTP_PORT', 3100),
  /** serverless-offline's own port, behind the front server on `http`. */
  api: port('E2E_API_PORT', 3103),
  lambda: port('E2E_LAMBDA_PORT', 3102),
  websocket: port('E2E_WEBSOCKET_PORT', 3101),
};

export const TEST_TABLE = 'backup-provisioning-test';
