import { InvalidRequestError } from '../errors.ts';

/** The directory to discover does not exist, is not a directory, or cannot be inspected at all. */
export class DiscoveryRootError extends InvalidRequestError {}
