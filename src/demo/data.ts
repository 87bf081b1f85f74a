/**
 * Deterministic payloads for the demo service. Nothing here uses randomness or
 * the clock: the same id always yields the same bytes, so load tests and
 * benchmarks are reproducible run to run.
 */

/** Exact byte size of one `/api/items/:id` document. */
export const ITEM_DOCUMENT_BYTES = 1024;

/** Number of items in the precomputed `/feed` document (about 64 KB in all). */
export const FEED_ITEM_COUNT = 64;

/** Chunk size used when streaming `/big`; also the length of {@link BIG_CHUNK}. */
export const BIG_CHUNK_BYTES = 64 * 1024;

/**
 * One 64 KiB chunk of the `/big` pattern: byte `i` is `i % 256`. Because 256
 * divides the chunk size, byte `n` of any `/big` body is `n % 256`, across chunks.
 */
export const BIG_CHUNK: Buffer = Buffer.alloc(
  BIG_CHUNK_BYTES,
  Uint8Array.from({ length: 256 }, (_, i) => i),
);

const WORDS = [
  'lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'consectetur',
  'adipiscing',
  'elit',
  'sed',
  'do',
  'eiusmod',
  'tempor',
  'incididunt',
  'labore',
  'magna',
  'aliqua',
] as const;

const TAGS = ['red', 'green', 'blue', 'small', 'large', 'sale', 'new', 'classic'] as const;
const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'] as const;

/** A cheap, stable 32-bit mix of a number and a salt (not cryptographic). */
export function mix(n: number, salt: number): number {
  let h = Math.imul((n >>> 0) ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b);
  h ^= Math.floor(n / 0x1_0000_0000) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], n: number, salt: number): T {
  return list[mix(n, salt) % list.length]!;
}

/** Deterministic ASCII filler text of exactly `length` characters. */
function filler(seed: number, length: number): string {
  let text = '';
  for (let i = 0; text.length < length; i++) text += `${pick(WORDS, seed, i)} `;
  return text.slice(0, length);
}

/** Price in cents, 100..99_999. */
function price(id: number, salt: number): number {
  return 100 + (mix(id, salt) % 99_900);
}

/** A fixed ISO timestamp derived from the id (within 2020). */
function isoDate(id: number, salt: number): string {
  const base = Date.UTC(2020, 0, 1);
  return new Date(base + (mix(id, salt) % (365 * 86_400)) * 1000).toISOString();
}

/** The JSON text of item `id`; always exactly {@link ITEM_DOCUMENT_BYTES} bytes (ASCII). */
export function itemJson(id: number): string {
  const doc = {
    id,
    name: `Item ${id}`,
    sku: `SKU-${mix(id, 1).toString(16).padStart(8, '0')}`,
    priceCents: price(id, 2),
    currency: 'EUR',
    inStock: mix(id, 3) % 5 !== 0,
    tags: [pick(TAGS, id, 4), pick(TAGS, id, 5)],
    updatedAt: isoDate(id, 6),
    description: '',
  };
  const padding = ITEM_DOCUMENT_BYTES - JSON.stringify(doc).length;
  doc.description = filler(id, Math.max(0, padding));
  return JSON.stringify(doc);
}

/** The whole `/feed` body, computed once at module load. */
export const FEED_BODY: Buffer = Buffer.from(
  `{"feed":"demo","count":${FEED_ITEM_COUNT},"items":[${Array.from({ length: FEED_ITEM_COUNT }, (_, i) =>
    itemJson(i + 1),
  ).join(',')}]}`,
);

export function userDocument(id: number): Record<string, unknown> {
  const first = pick(FIRST_NAMES, id, 10);
  return {
    id,
    name: `${first} User${id}`,
    email: `${first.toLowerCase()}.${id}@example.invalid`,
    tier: pick(TIERS, id, 11),
    createdAt: isoDate(id, 12),
    address: { city: `City ${mix(id, 13) % 100}`, postcode: String(10_000 + (mix(id, 14) % 90_000)) },
    links: {
      orders: `/users/${id}/orders`,
      coupons: `/users/${id}/coupons`,
      points: `/users/${id}/points`,
    },
  };
}

export function userOrdersDocument(id: number): Record<string, unknown> {
  const count = 1 + (mix(id, 20) % 3);
  const orders = Array.from({ length: count }, (_, i) => ({
    orderId: `ord-${id}-${i + 1}`,
    totalCents: price(id, 21 + i),
    items: 1 + (mix(id, 24 + i) % 5),
    placedAt: isoDate(id, 27 + i),
  }));
  return { userId: id, count, orders };
}

export function userCouponsDocument(id: number): Record<string, unknown> {
  const count = 1 + (mix(id, 30) % 3);
  const coupons = Array.from({ length: count }, (_, i) => {
    const percentOff = 5 * (1 + (mix(id, 31 + i) % 6));
    return {
      code: `SAVE${percentOff}-${id}-${i + 1}`,
      percentOff,
      minimumCents: price(id, 37 + i),
      expiresAt: isoDate(id, 34 + i),
    };
  });
  return { userId: id, count, coupons };
}

export function userPointsDocument(id: number): Record<string, unknown> {
  return {
    userId: id,
    points: mix(id, 40) % 50_000,
    tier: pick(TIERS, id, 11),
    lifetimePoints: 50_000 + (mix(id, 41) % 500_000),
    asOf: isoDate(id, 42),
    recent: Array.from({ length: 3 }, (_, i) => ({
      delta: (mix(id, 43 + i) % 500) - 100,
      reason: pick(['purchase', 'review', 'referral', 'expiry'], id, 46 + i),
      at: isoDate(id, 49 + i),
    })),
  };
}
