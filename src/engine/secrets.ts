/**
 * A secret value kept wherever the deployment keeps secrets: AWS Secrets Manager in the cloud, a file outside
 * the repository locally. Callers cache what they read (with an expiry, so a rotated value is picked up);
 * the environment only ever names the secret, never holds it.
 */
export interface SecretSource {
  /** Reads the current value. */
  read(): Promise<string>;
  /** Where the value lives (an ARN, a path), for error messages. Never the value. */
  readonly description: string;
}
