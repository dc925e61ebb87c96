// The methods each path serves, from the committed OpenAPI document (generated from the
// operations by `npm run client:generate`): the $default route answers 405 with them.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports.routeMethods = () => {
  const document = JSON.parse(readFileSync(join(__dirname, '../client/openapi.json'), 'utf8'));
  const methods = {};
  for (const [path, item] of Object.entries(document.paths)) {
    methods[path] = Object.keys(item)
      .filter((key) => ['get', 'put', 'post', 'patch', 'delete'].includes(key))
      .map((method) => method.toUpperCase())
      .sort();
  }
  return JSON.stringify(methods);
};
