import { describe, expect, it } from 'vitest';
import { orderFiles, s3ObjectTime } from '../../../lib/ingest/order-files.ts';

const file = (absolute: string) => ({ display: absolute, absolute });

describe('s3ObjectTime', () => {
  it('reads the delivery minute from a CloudTrail S3 object name', () => {
    const name =
      'AWSLogs/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz';
    expect(s3ObjectTime(name)).toBe(Date.UTC(2025, 2, 6, 2, 30));
  });

  it('accepts decompressed copies and Insights files', () => {
    expect(s3ObjectTime('/x/111111111111_CloudTrail_eu-west-1_20240101T0005Z_abcdefghijklmnop.json')).toBe(
      Date.UTC(2024, 0, 1, 0, 5),
    );
    expect(
      s3ObjectTime('111111111111_CloudTrail-Insight_us-east-1_20240101T0005Z_abcdefghijklmnop.json.gz'),
    ).toBe(Date.UTC(2024, 0, 1, 0, 5));
  });

  it('is undefined for other names', () => {
    expect(s3ObjectTime('/x/events.json')).toBeUndefined();
    expect(s3ObjectTime('/x/111111111111_CloudTrail_us-east-1_2025.json')).toBeUndefined();
  });
});

describe('orderFiles', () => {
  it('puts S3-named files first by time, then the rest by path, ties by path', () => {
    const later = file('/a/111_CloudTrail_us-east-1_20250306T0235Z_AAAAAAAAAAAAAAAA.json.gz');
    const earlierB = file('/b/111_CloudTrail_us-east-1_20250306T0230Z_BBBBBBBBBBBBBBBB.json.gz');
    const earlierA = file('/c/111_CloudTrail_eu-west-1_20250306T0230Z_CCCCCCCCCCCCCCCC.json.gz');
    const plainZ = file('/z/events.json');
    const plainA = file('/a/events.json');
    const ordered = orderFiles([plainZ, later, earlierA, plainA, earlierB]);
    expect(ordered).toEqual([earlierB, earlierA, later, plainA, plainZ]);
  });

  it('compares paths by code unit, not locale', () => {
    expect(
      orderFiles([file('/a/b.json'), file('/a/B.json'), file('/a/_.json')]).map((f) => f.absolute),
    ).toEqual(['/a/B.json', '/a/_.json', '/a/b.json']);
  });
});
