import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '#lib/api/document.ts';

/**
 * The stack `npx osls deploy` would create, from `osls package` (offline, no credentials).
 */
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };
let resources: Record<string, Resource>;
let outDir: string;
const bin = join(process.cwd(), 'node_modules/serverless/bin/serverless.js');
const SENDER = 'no-reply@mail.backup-provisioning.test';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'bp-package-'));
  await promisify(execFile)(
    process.execPath,
    [bin, 'package', '--stage', 'ci', '--package', outDir],
    {
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        MAIL_FROM: SENDER,
        // Set on purpose, like the session secret: only the local stage points at emulators.
        DYNAMODB_ENDPOINT: 'http://x',
        SES_ENDPOINT: 'http://y',
        WEBHOOK_RETRY_DELAYS_MS: '1000',
        // Set on purpose: a deployed stage must not take it from the deployer's environment.
        SESSION_SECRET: 'a-secret-in-the-deployers-shell-0123456789',
        // Its own work folder: the e2e stack may be serving from .esbuild at the same time.
        ESBUILD_WORK_FOLDER: '.esbuild-package',
      },
    },
  );
  const template = JSON.parse(
    readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  resources = template.Resources;
}, 180_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functions = () => ofType('AWS::Lambda::Function');

describe('the packaged stack', () => {
  it('has the table on demand, with recovery, deletion protection, stream, TTL and its indexes', () => {
    const table = resources.Table as Resource;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(
      table.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName),
    ).toEqual(['TrialDue', 'CompanyAudit', 'ApiKeyById', 'WebhookDue']);
  });

  it('gives every function a role of its own, with table actions only on the table', () => {
    const roles = new Set<string>();
    for (const [name, fn] of functions()) {
      const roleRef = fn.Properties.Role['Fn::GetAtt']?.[0] as string;
      expect(roleRef, name).toBeTruthy();
      roles.add(roleRef);
    }
    expect(roles.size).toBe(functions().length);
    for (const [name, role] of ofType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          const actions: string[] = [statement.Action].flat();
          expect(actions, name).not.toContain('dynamodb:*');
          if (actions.some((a) => a.startsWith('dynamodb:') && !a.includes('Stream'))) {
            expect(JSON.stringify(statement.Resource), name).toContain('Table');
          }
        }
      }
    }
  });

  it('lets only the mailer send e-mail, and read-only routes only read', () => {
    const actionsOf = (fn: string) => {
      const role = resources[`${fn}IamRoleLambdaExecution`] as Resource;
      return role.Properties.Policies.flatMap((p: any) =>
        p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()),
      ) as string[];
    };
    expect(actionsOf('SendOutbox')).toContain('ses:SendEmail');
    for (const [name] of functions()) {
      if (
        name !== 'SendOutboxLambdaFunction' &&
        resources[name.replace('LambdaFunction', 'IamRoleLambdaExecution')]
      ) {
        expect(actionsOf(name.replace('LambdaFunction', '')), name).not.toContain('ses:SendEmail');
      }
    }
    const readOnly = actionsOf('ListCompanies').filter((a) => a.startsWith('dynamodb:'));
    expect(readOnly).toEqual(['dynamodb:Query']);
  });

  it('lets only the functions that sign sessions, key attempt windows, seal second factors or webhook secrets read the secret', () => {
    const readers = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .filter(([, role]) =>
        JSON.stringify(role.Properties.Policies ?? []).includes('ssm:GetParameter'),
      )
      .map(([name]) => name.replace('IamRoleLambdaExecution', ''))
      .sort();
    expect(readers).toEqual([
      'Authorizer',
      'ChangePassword',
      'ConfirmMfa',
      'CreateWebhook',
      'DeliverWebhooks',
      'Impersonate',
      'Login',
      'Recover',
      'ResetPassword',
      'RetryWebhookDelivery',
      'RetryWebhooks',
      'RotateWebhookSecret',
      'SetupMfa',
      'StaffLogin',
    ]);
    // Deployed, the secret is never in the template: every function is pointed at the parameter.
    for (const [name, fn] of functions()) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.SESSION_SECRET, name).toBe('');
      expect(variables.SESSION_SECRET_PARAMETER, name).toBe(
        '/backup-provisioning/ci/session-secret',
      );
    }
    for (const name of readers) {
      const role = resources[`${name}IamRoleLambdaExecution`] as Resource;
      const statement = role.Properties.Policies.flatMap(
        (p: any) => p.PolicyDocument.Statement,
      ).find((s: any) => [s.Action].flat().includes('ssm:GetParameter'));
      expect(JSON.stringify(statement.Resource), name).toContain(
        'parameter/backup-provisioning/ci/session-secret',
      );
    }
  });

  it('maps the stream with partial batch failures, the mailer and the webhook fan-out each with a failure destination', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(2);
    const mailer = mappings.find((m) => JSON.stringify(m.FunctionName).includes('SendOutbox'));
    expect(mailer).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['OutboxFailures', 'Arn'] } },
      },
    });
    expect(JSON.stringify(mailer?.FilterCriteria)).toContain('OUTBOX');
    const webhooks = mappings.find((m) =>
      JSON.stringify(m.FunctionName).includes('DeliverWebhooks'),
    );
    expect(webhooks).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['WebhookFanOutFailures', 'Arn'] } },
      },
    });
    expect(JSON.stringify(webhooks?.FilterCriteria)).toContain('EVENT');
  });

  it('schedules the trial job daily and the webhook retries every minute, and keeps logs 30 days', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(2);
    const trials = rules.find((r) => JSON.stringify(r.Targets).includes('RunTrialsLambdaFunction'));
    expect(trials?.ScheduleExpression).toBe('rate(1 day)');
    const sweeper = rules.find((r) =>
      JSON.stringify(r.Targets).includes('RetryWebhooksLambdaFunction'),
    );
    expect(sweeper?.ScheduleExpression).toBe('rate(1 minute)');
    const groups = ofType('AWS::Logs::LogGroup');
    // One per function, and the HTTP API's access log.
    expect(groups).toHaveLength(functions().length + 1);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('alarms on errors and throttles of every function and on the stream iterator age', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const [name] of functions()) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(
          alarms.some((a) => a.MetricName === metric && a.Dimensions[0].Value.Ref === name),
          `${metric} of ${name}`,
        ).toBe(true);
      }
    }
    expect(alarms.some((a) => a.MetricName === 'IteratorAge')).toBe(true);
  });

  it('answers every path no route matches with its own function', () => {
    const catchAll = ofType('AWS::ApiGatewayV2::Route').find(
      ([, r]) => r.Properties.RouteKey === '$default',
    );
    expect(JSON.stringify(catchAll?.[1].Properties.Target)).toContain('NotFound');
  });

  it('calls the authorizer for every request, with no identity source and no cache', () => {
    const [[, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];
    expect(authorizer.Properties.IdentitySource ?? []).toEqual([]);
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBe(0);
  });

  it('deploys each operation as the function named by its operationId, and no other route', () => {
    const functionsByName = new Map(
      functions().map(([logicalId, fn]) => [logicalId, fn.Properties.FunctionName as string]),
    );
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties)
      .filter((route) => route.RouteKey !== '$default');
    for (const operation of OPERATIONS) {
      const logicalId = `${operation.operationId[0]?.toUpperCase()}${operation.operationId.slice(1)}LambdaFunction`;
      const route = routes.find((r) => r.RouteKey === `${operation.method} ${operation.path}`);
      expect(functionsByName.has(logicalId), operation.operationId).toBe(true);
      expect(JSON.stringify(route?.Target), operation.operationId).toContain(
        logicalId.replace('LambdaFunction', ''),
      );
    }
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      OPERATIONS.map((o) => `${o.method} ${o.path}`).sort(),
    );
  });

  it('gives the $default function the methods of every documented path, for its 405', () => {
    const notFound = resources.NotFoundLambdaFunction as Resource;
    const methods = JSON.parse(notFound.Properties.Environment.Variables.ROUTE_METHODS);
    const expected: Record<string, string[]> = {};
    for (const operation of OPERATIONS) {
      expected[operation.path] = [...(expected[operation.path] ?? []), operation.method].sort();
    }
    expect(methods).toEqual(expected);
  });

  it('logs every API request and throttles the stage at the published limits', () => {
    const stage = resources.HttpApiStage as Resource;
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'],
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect((resources.HttpApiLogGroup as Resource).Properties.RetentionInDays).toBe(30);
  });

  it('alarms on handled 5xx answers, failed e-mails, given-up webhooks and the failure queue, to the alarm topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const metric of ['ServerErrors', 'EmailsFailed', 'WebhookDeliveriesGivenUp']) {
      expect(
        alarms.find((a) => a.Namespace === 'BackupProvisioning' && a.MetricName === metric),
        metric,
      ).toMatchObject({
        Dimensions: [{ Name: 'service', Value: 'backup-provisioning' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
    const queueDepths = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    for (const queue of ['OutboxFailures', 'WebhookFanOutFailures']) {
      expect(
        queueDepths.find((a) => a.Dimensions[0].Value['Fn::GetAtt'][0] === queue),
        queue,
      ).toMatchObject({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
  });

  it('bakes no emulator endpoint or local retry schedule into a deployed stage, and sends from the given sender', () => {
    for (const [name, fn] of functions()) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.DYNAMODB_ENDPOINT, name).toBe('');
      expect(variables.SES_ENDPOINT, name).toBe('');
      expect(variables.WEBHOOK_RETRY_DELAYS_MS, name).toBe('');
      expect(variables.MAIL_FROM, name).toBe(SENDER);
    }
  });

  it('refuses to package a deployed stage without a real sender, saying what to set', async () => {
    for (const mailFrom of ['', 'no-reply@backup.example.com']) {
      const printed = promisify(execFile)(process.execPath, [bin, 'print', '--stage', 'prod'], {
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', MAIL_FROM: mailFrom },
      });
      await expect(printed, mailFrom).rejects.toSatisfy(
        (error: { stdout: string; stderr: string }) =>
          `${error.stdout}${error.stderr}`.includes('MAIL_FROM must be the SES-verified address'),
        'a failed print saying MAIL_FROM must be the SES-verified address',
      );
    }
  }, 60_000);

  it('ships each function as an artifact of its own holding only its own bundle', () => {
    const zips = readdirSync(outDir).filter((file) => file.endsWith('.zip'));
    expect(zips).toHaveLength(functions().length);
    for (const [name, fn] of functions()) {
      const key = fn.Properties.Code.S3Key as string;
      const zip = key.slice(key.lastIndexOf('/') + 1);
      expect(zips, name).toContain(zip);
      // A single bundle: far below the 3.8 MB that all of them together weigh.
      expect(statSync(join(outDir, zip)).size, name).toBeLessThan(600_000);
      const listing = readFileSync(join(outDir, zip)).toString('latin1');
      const bundles = listing.match(/functions\/[a-z-]+\.cjs/g) ?? [];
      expect(new Set(bundles).size, name).toBe(1);
    }
  });

  it('lets the mailer send only as the sender identity, the job query only its index, no role create log groups', () => {
    const statements = (role: string) =>
      (resources[role] as Resource).Properties.Policies.flatMap(
        (p: any) => p.PolicyDocument.Statement,
      ) as Array<{ Action: string | string[]; Resource: unknown }>;
    const send = statements('SendOutboxIamRoleLambdaExecution').find((s) =>
      [s.Action].flat().includes('ses:SendEmail'),
    );
    expect(send?.Resource).toEqual([
      {
        'Fn::Sub':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
          'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/mail.backup-provisioning.test',
      },
    ]);
    const query = statements('RunTrialsIamRoleLambdaExecution').find((s) =>
      [s.Action].flat().includes('dynamodb:Query'),
    );
    expect(JSON.stringify(query?.Resource)).toContain('index/TrialDue');
    expect(JSON.stringify(query?.Resource)).not.toContain('index/*');
    const sweep = statements('RetryWebhooksIamRoleLambdaExecution').find((s) =>
      [s.Action].flat().includes('dynamodb:Query'),
    );
    expect(JSON.stringify(sweep?.Resource)).toContain('index/WebhookDue');
    for (const [name, role] of ofType('AWS::IAM::Role')) {
      expect(JSON.stringify(role.Properties.Policies), name).not.toContain('logs:CreateLogGroup');
    }
    // Every role is some function's: the framework's default one is not deployed unused.
    const used = new Set(functions().map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]));
    expect(
      ofType('AWS::IAM::Role')
        .map(([name]) => name)
        .filter((n) => !used.has(n)),
    ).toEqual([]);
  });

  it('serves the portal from a private bucket through CloudFront, with /v1/* routed to the API', () => {
    // The deployment bucket is the framework's; the portal's is the distribution's origin.
    const bucketName = 'PortalBucket';
    const bucket = resources[bucketName] as Resource;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    // Read only by the distribution, through origin access control (no public principal reads).
    const policy = ofType('AWS::S3::BucketPolicy')
      .map(([, r]) => r)
      .find((r) => JSON.stringify(r.Properties.Bucket) === JSON.stringify({ Ref: bucketName }));
    if (!policy) throw new Error('no policy on the portal bucket');
    const reads = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Effect === 'Allow',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(reads[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(reads[0].Condition)).toContain('AWS:SourceArn');
    const [[oacName, oac]] = ofType('AWS::CloudFront::OriginAccessControl') as [[string, Resource]];
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });

    const [[, distribution]] = ofType('AWS::CloudFront::Distribution') as [[string, Resource]];
    const config = distribution.Properties.DistributionConfig;
    const origin = (id: string) => config.Origins.find((o: any) => o.Id === id);
    const bucketOrigin = origin(config.DefaultCacheBehavior.TargetOriginId);
    expect(bucketOrigin.DomainName).toEqual({
      'Fn::GetAtt': [bucketName, 'RegionalDomainName'],
    });
    expect(bucketOrigin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacName, 'Id'] });
    // A distribution-wide 403/404 rule would replace the API's own problem documents.
    expect(config.CustomErrorResponses).toBeUndefined();

    // The bucket's behaviour alone rewrites app routes to /index.html.
    const [[fnName, rewrite]] = ofType('AWS::CloudFront::Function') as [[string, Resource]];
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnName, 'FunctionARN'] } },
    ]);
    const handler = new Function(
      `${rewrite.Properties.FunctionCode}; return handler;`,
    )() as (event: { request: { uri: string } }) => { uri: string };
    expect(handler({ request: { uri: '/companies/01ABC' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/assets/index-abc.js' } }).uri).toBe('/assets/index-abc.js');

    const api = config.CacheBehaviors.find((b: any) => b.PathPattern === '/v1/*');
    expect(api.FunctionAssociations).toBeUndefined();
    expect(JSON.stringify(origin(api.TargetOriginId).DomainName)).toContain('execute-api');
    expect(origin(api.TargetOriginId).CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect([...api.AllowedMethods].sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].sort(),
    );
    // Managed CachingDisabled, and AllViewerExceptHostHeader: Authorization reaches the API,
    // the Host does not (API Gateway answers only to its own).
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');

    const [[headersName, headers]] = ofType('AWS::CloudFront::ResponseHeadersPolicy') as [
      [string, Resource],
    ];
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: headersName });
    const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = security.ContentSecurityPolicy.ContentSecurityPolicy as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(security.ContentTypeOptions.Override).toBe(true);
    expect(security.ReferrerPolicy.ReferrerPolicy).toBe('strict-origin-when-cross-origin');
  });

  it('serves locally the very CSP and headers CloudFront adds when deployed', async () => {
    const { PORTAL_HEADERS } = await import('../../scripts/lib/front-server.ts');
    const [[, headers]] = ofType('AWS::CloudFront::ResponseHeadersPolicy') as [[string, Resource]];
    const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(PORTAL_HEADERS['content-security-policy']).toBe(
      security.ContentSecurityPolicy.ContentSecurityPolicy,
    );
    expect(PORTAL_HEADERS['strict-transport-security']).toBe(
      `max-age=${security.StrictTransportSecurity.AccessControlMaxAgeSec}; includeSubDomains; preload`,
    );
    expect(PORTAL_HEADERS['referrer-policy']).toBe(security.ReferrerPolicy.ReferrerPolicy);
  });
});
