import { describe, expect, it } from 'vitest';
import { parseEpochTime, parseIsoTime } from '../../src/formats/index.js';

describe('timestamps', () => {
  it('keeps times without a zone as wall clock', () => {
    expect(parseIsoTime('2024-05-01 12:00:00,123')).toEqual({ iso: '2024-05-01T12:00:00.123', hasOffset: false });
    expect(parseIsoTime('2024-05-01T12:00:00')).toEqual({ iso: '2024-05-01T12:00:00', hasOffset: false });
  });

  it('converts zones to UTC, across midnight too', () => {
    expect(parseIsoTime('2024-05-01T12:00:00.123456789Z')).toEqual({ iso: '2024-05-01T12:00:00.123Z', hasOffset: true });
    expect(parseIsoTime('2024-05-01T01:30:00.5+02:00')).toEqual({ iso: '2024-04-30T23:30:00.500Z', hasOffset: true });
    expect(parseIsoTime('2024-12-31T20:00:00-0500')).toEqual({ iso: '2025-01-01T01:00:00Z', hasOffset: true });
  });

  it('rejects impossible dates and reads epochs', () => {
    expect(parseIsoTime('2024-13-01T12:00:00Z')).toBeUndefined();
    expect(parseEpochTime(1714564800.5)).toEqual({ iso: '2024-05-01T12:00:00.500Z', hasOffset: true });
    expect(parseEpochTime(1714564800500)).toEqual({ iso: '2024-05-01T12:00:00.500Z', hasOffset: true });
  });
});
