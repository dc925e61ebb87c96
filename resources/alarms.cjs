// CloudWatch alarms for every function (errors, throttles), generated from the function list so a
// new function is never left unwatched; for the outbox stream's iterator age; for the service's
// own counts of handled 5xx answers and failed e-mails; and for the mailer's failure queue.
// All alarms notify the AlarmTopic; subscribe an address to it after deploying.
const normalize = (name) =>
  name[0].toUpperCase() + name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');

module.exports = async ({ resolveConfigurationProperty }) => {
  const functions = (await resolveConfigurationProperty(['functions'])) ?? {};
  const resources = {};
  const alarm = (metric, functionName, threshold, extra = {}) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: `${metric} of ${functionName}`,
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: `${normalize(functionName)}LambdaFunction` } },
      ],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      ...extra,
    },
  });
  for (const name of Object.keys(functions)) {
    resources[`${normalize(name)}ErrorsAlarm`] = alarm('Errors', name, 1);
    resources[`${normalize(name)}ThrottlesAlarm`] = alarm('Throttles', name, 1);
  }
  // A stream falling behind delays every e-mail: alarm when the oldest record waits 5 minutes.
  resources.SendOutboxIteratorAgeAlarm = alarm('IteratorAge', 'sendOutbox', 300_000, {
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 5,
  });
  // Counted by the functions themselves (embedded metric format, lib/emf.ts): a 5xx the edge
  // answered is no Lambda error, and an e-mail that failed is retried before it is one.
  const service = await resolveConfigurationProperty(['service']);
  const serviceMetric = (metric, description) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: 'BackupProvisioning',
      MetricName: metric,
      Dimensions: [{ Name: 'service', Value: service }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    },
  });
  resources.ServerErrorsAlarm = serviceMetric('ServerErrors', 'API answers with a 5xx status');
  resources.EmailsFailedAlarm = serviceMetric('EmailsFailed', 'E-mails that could not be sent');
  // A webhook delivery whose every retry failed over about three days (docs/webhooks.md).
  resources.WebhookDeliveriesGivenUpAlarm = serviceMetric(
    'WebhookDeliveriesGivenUp',
    'Webhook deliveries given up after their last retry',
  );
  resources.DeliverWebhooksIteratorAgeAlarm = alarm('IteratorAge', 'deliverWebhooks', 300_000, {
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 5,
  });
  /** Any message in a failure queue: something was given up that an operator must look at. */
  const queueDepth = (queue, description) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    },
  });
  // Stream records whose e-mail failed every retry wait here: replay them (README "Observability").
  resources.OutboxFailuresDepthAlarm = queueDepth(
    'OutboxFailures',
    'E-mails given up on: run npm run outbox:replay',
  );
  resources.WebhookFanOutFailuresDepthAlarm = queueDepth(
    'WebhookFanOutFailures',
    'Events whose webhook fan-out failed: see docs/webhooks.md "The first attempts"',
  );
  return resources;
};
