/**
 * The public HTTP endpoint. An API Gateway HTTP API (v2) rather than a REST API: its Lambda payload format 2.0
 * is exactly the event type our handlers take (`HttpEvent` in src/api, shared with `codesearch serve`), it is
 * cheaper and adds less latency, and what REST would add (API keys, usage plans, request validation, X-Ray)
 * the handlers do themselves (JWT auth, zod validation, per-caller limits).
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type ApiRoute, apiGatewayPath } from '#api/gateway-routes.ts';
import { acknowledge } from './nag-acknowledgements.ts';

export interface CodeSearchHttpApiProps {
  /**
   * Steady-state requests per second across the API (the stage's default route throttling).
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Requests allowed in a burst.
   * @default 100
   */
  readonly burstLimit?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** One JSON object per request, from the HTTP API's `$context` variables. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  userAgent: '$context.identity.userAgent',
});

export class CodeSearchHttpApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CodeSearchHttpApiProps = {}) {
    super(scope, id);
    // The default stage is declared by hand because HttpApi's own has no throttling or access-log settings.
    this.httpApi = new apigw.HttpApi(this, 'Api', {
      description: 'codesearch: search API and GitHub webhook',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    acknowledge(
      this.httpApi,
      'AwsSolutions-APIG4',
      'Authorization happens in the functions: the search API verifies JWTs against the key in Secrets ' +
        "Manager (rotation by kid), the webhook verifies GitHub's HMAC signature, and GET /health is public.",
    );
    acknowledge(
      this.stage,
      'Serverless-APIGWXrayEnabled',
      'HTTP APIs do not support X-Ray tracing; the functions behind them are traced.',
    );
  }

  /** The API's base URL (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  get url(): string {
    const url = this.stage.url;
    if (!url) throw new Error('the default stage has no URL');
    return url;
  }

  /** Routes each of `routes` to `fn` (payload format 2.0); `name` names the integration (`Search`, `Webhook`). */
  addRoutes(name: string, fn: lambda.IFunction, routes: readonly ApiRoute[]): void {
    const integration = new HttpLambdaIntegration(`${name}Integration`, fn, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    // Two handler routes can share one API Gateway route once parameters turn greedy: declare it once.
    const keys = new Set(routes.map((route) => `${route.method} ${apiGatewayPath(route.path)}`));
    for (const key of keys) {
      const [method, path] = key.split(' ') as [ApiRoute['method'], string];
      this.httpApi.addRoutes({ path, methods: [apigw.HttpMethod[method]], integration });
    }
  }
}
