type Data = Record<string, unknown>;
type Payload = Data & { website?: string };
type Queued = [method: 'track' | 'identify', args: IArguments | unknown[]];

interface Window {
  umami?: { track: (...args: any[]) => void; identify: (...args: any[]) => void; q?: Queued[] };
}

/** Replaced by the collector when it serves the script with COLLECT_API_ENDPOINT set. */
declare const COLLECT_PATH: string;
