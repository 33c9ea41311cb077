import { describe, expect, it } from 'vitest';
import { type CpuProfile, kindOf, summarize } from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('cpu profile summary', () => {
  it('names the kind of each frame', () => {
    const bundle = '/dist/collector.mjs';
    expect(kindOf(frame('append', 'file:///work/dist/collector.mjs'), bundle)).toBe('ours');
    expect(kindOf(frame('onEnd', 'file:///work/node_modules/fastify/lib/content-type-parser.js'), bundle)).toBe('fastify');
    expect(kindOf(frame('find', 'file:///work/node_modules/find-my-way/index.js'), bundle)).toBe('fastify');
    expect(kindOf(frame('validate10'), bundle)).toBe('fastify');
    expect(kindOf(frame('getResult', 'file:///work/node_modules/ua-parser-js/src/main.js'), bundle)).toBe('libraries');
    expect(kindOf(frame('resOnFinish', 'node:_http_server'), bundle)).toBe('node');
    expect(kindOf(frame('writev'), bundle)).toBe('native calls');
    expect(kindOf(frame('(garbage collector)'), bundle)).toBe('garbage collection');
    expect(kindOf(frame('(idle)'), bundle)).toBe('idle (waiting for I/O)');
    expect(kindOf(frame('(program)'), bundle)).toBe('engine and other native');
  });

  it('counts only the window, per request, and sums to the window', () => {
    // Samples at 1,010 (before the window), 1,030, 1,060, 1,100, 1,150 (after it); the window is 1,020–1,120.
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
        { id: 2, callFrame: frame('append', 'file:///w/dist/collector.mjs', 9) },
        { id: 3, callFrame: frame('writev') },
        { id: 4, callFrame: frame('(idle)') },
      ],
      startTime: 1000,
      endTime: 1200,
      samples: [2, 2, 3, 4, 2],
      timeDeltas: [10, 20, 30, 40, 50],
    };
    const summary = summarize(profile, { from: 1020, to: 1120, requests: 10, ourBundle: 'collector.mjs' });
    expect(summary.windowMs).toBeCloseTo(0.09);
    expect(summary.byKind.ours).toBeCloseTo(2);
    expect(summary.byKind['native calls']).toBeCloseTo(3);
    expect(summary.byKind['idle (waiting for I/O)']).toBeCloseTo(4);
    const total = Object.values(summary.byKind).reduce((sum, us) => sum + us, 0);
    expect(total * 10).toBeCloseTo(summary.windowMs * 1000);
    expect(summary.top[0]).toEqual({ name: '(idle)', kind: 'idle (waiting for I/O)', usPerRequest: 4 });
    expect(summary.top.find((entry) => entry.kind === 'ours')?.name).toBe('append (collector.mjs:10)');
  });
});
