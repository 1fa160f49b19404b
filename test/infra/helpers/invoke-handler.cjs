// Loads a bundled handler as the Lambda runtime would (require) and, given an event, invokes it once.
// Prints the handler's result as one JSON line prefixed with RESULT, so it stands out from the function's logs.
const [file, exportName, eventJson] = process.argv.slice(2);

const context = {
  functionName: 'sandbox',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sandbox',
  memoryLimitInMB: '2048',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/sandbox',
  logStreamName: 'sandbox',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 20_000,
  done() {},
  fail() {},
  succeed() {},
};

async function main() {
  const handler = require(file)[exportName];
  if (typeof handler !== 'function')
    throw new Error(`${file} does not export a function named ${exportName}`);
  if (eventJson === undefined) {
    console.log('RESULT {"loaded":true}');
    return;
  }
  const result = await handler(JSON.parse(eventJson), context);
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
