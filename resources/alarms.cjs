// CloudWatch alarms for every function (errors, throttles) and for the outbox stream's
// iterator age, generated from the function list so a new function is never left unwatched.
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
  return resources;
};
