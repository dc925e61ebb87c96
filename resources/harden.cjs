// A local plugin that finishes the template after the plugins that write roles and the HTTP API:
// - no role may create log groups (the template creates every function's log group itself);
// - the framework's default role is dropped when no function uses it (each has its own);
// - the HTTP API's stage gets the throttling limits of custom.apiThrottling (README "Deploying").
class HardenTemplate {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.harden() };
  }

  harden() {
    const service = this.serverless.service;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const policy of resource.Properties.Policies ?? []) {
        const statements = policy.PolicyDocument.Statement;
        for (const statement of statements) {
          if (!Array.isArray(statement.Action)) continue;
          statement.Action = statement.Action.filter((action) => action !== 'logs:CreateLogGroup');
        }
      }
    }
    const defaultRole = this.serverless.providers.aws.naming.getRoleLogicalId();
    if (resources[defaultRole]) {
      const { [defaultRole]: _unused, ...others } = resources;
      const withoutDependsOn = Object.values(others).map(({ DependsOn: _d, ...rest }) => rest);
      if (!JSON.stringify(withoutDependsOn).includes(`"${defaultRole}"`)) {
        delete resources[defaultRole];
        for (const resource of Object.values(others)) {
          if (Array.isArray(resource.DependsOn)) {
            resource.DependsOn = resource.DependsOn.filter((id) => id !== defaultRole);
          } else if (resource.DependsOn === defaultRole) delete resource.DependsOn;
        }
      }
    }
    const throttling = service.custom?.apiThrottling;
    const stage = resources.HttpApiStage;
    if (throttling && stage) {
      stage.Properties.DefaultRouteSettings = {
        ...stage.Properties.DefaultRouteSettings,
        ThrottlingRateLimit: Number(throttling.rateLimit),
        ThrottlingBurstLimit: Number(throttling.burstLimit),
      };
    }
  }
}

module.exports = HardenTemplate;
