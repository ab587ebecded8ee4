package io.rstscope.agent.policy;

import java.util.Arrays;

/**
 * A bounded table of flows in parallel primitive arrays: no object per flow, no allocation per
 * packet once grown. An open-addressing index (linear probing, backward-shift deletion) maps a
 * canonical 5-tuple to a dense entry number; per-entry and per-direction state live in arrays
 * indexed by entry (and {@code entry * 2 + direction}).
 *
 * <p>Keys: endpoint a is the one that sorts first (FlowKeys' order: address, then port); an
 * address is two longs (IPv4 in the low 32 bits); {@code meta = ipVersion << 32 | aPort << 16 | bPort}.
 * Arrays start small and double up to {@code maxFlows}, so an idle agent stays small.
 */
final class FlowTable {
  static final int KEY_WORDS = 5;
  static final long NONE = Long.MIN_VALUE;

  final int maxFlows;
  int capacity;
  int size;
  private int[] index;
  private int mask;
  private int clockHand;
  private int freeHead = -1;
  private int highWater;
  private int[] freeNext;

  long[] keys;
  int[] hashes;
  boolean[] live;
  long[] lastSeen;
  long[] rstAt;
  int[] rstPackets;
  // per direction
  int[] seen;
  long[] pPackets;
  long[] pBytes;
  long[] pFirst;
  long[] pSeqEnd;
  long[] pAck;
  int[] pTtlMin;
  int[] pTtlMax;
  int[] pIpIdMin;
  int[] pIpIdMax;
  /** Capture time of the run's first pure ACK and first packet with payload, NONE before one. */
  long[] pAckFirst;
  long[] pDataFirst;
  long[] lTime;
  long[] lSeq;
  long[] lAck;
  long[] lTsVal;
  long[] lTsEcr;
  int[] lTtl;
  int[] lIpId;
  int[] lFlags;
  int[] lWindow;
  int[] lPayload;
  boolean[] lDf;
  boolean[] lHasTs;

  FlowTable(int maxFlows) {
    if (maxFlows < 16) {
      throw new IllegalArgumentException("maxFlows must be at least 16: " + maxFlows);
    }
    this.maxFlows = maxFlows;
    allocate(Math.min(maxFlows, 4096));
  }

  private void allocate(int newCapacity) {
    capacity = newCapacity;
    keys = grow(keys, newCapacity * KEY_WORDS);
    hashes = grow(hashes, newCapacity);
    live = grow(live, newCapacity);
    freeNext = grow(freeNext, newCapacity);
    lastSeen = grow(lastSeen, newCapacity);
    rstAt = grow(rstAt, newCapacity);
    rstPackets = grow(rstPackets, newCapacity);
    int d = newCapacity * 2;
    seen = grow(seen, d);
    pPackets = grow(pPackets, d);
    pBytes = grow(pBytes, d);
    pFirst = grow(pFirst, d);
    pSeqEnd = grow(pSeqEnd, d);
    pAck = grow(pAck, d);
    pTtlMin = grow(pTtlMin, d);
    pTtlMax = grow(pTtlMax, d);
    pIpIdMin = grow(pIpIdMin, d);
    pIpIdMax = grow(pIpIdMax, d);
    pAckFirst = grow(pAckFirst, d);
    pDataFirst = grow(pDataFirst, d);
    lTime = grow(lTime, d);
    lSeq = grow(lSeq, d);
    lAck = grow(lAck, d);
    lTsVal = grow(lTsVal, d);
    lTsEcr = grow(lTsEcr, d);
    lTtl = grow(lTtl, d);
    lIpId = grow(lIpId, d);
    lFlags = grow(lFlags, d);
    lWindow = grow(lWindow, d);
    lPayload = grow(lPayload, d);
    lDf = grow(lDf, d);
    lHasTs = grow(lHasTs, d);
    int slots = Integer.highestOneBit(newCapacity * 2 - 1) << 1;
    index = new int[slots];
    mask = slots - 1;
    for (int e = 0; e < highWater; e++) {
      if (live[e]) {
        int slot = hashes[e] & mask;
        while (index[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        index[slot] = e + 1;
      }
    }
  }

  /** Entry of the key, or -1. */
  int find(long aHi, long aLo, long bHi, long bLo, long meta, int hash) {
    int slot = hash & mask;
    while (true) {
      int v = index[slot];
      if (v == 0) {
        return -1;
      }
      int e = v - 1;
      int k = e * KEY_WORDS;
      if (hashes[e] == hash && keys[k + 4] == meta && keys[k + 1] == aLo && keys[k + 3] == bLo
          && keys[k] == aHi && keys[k + 2] == bHi) {
        return e;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** True when a new entry can be added without evicting one. */
  boolean hasRoom() {
    return size < maxFlows;
  }

  /** Adds a key that {@link #find} did not find; the caller made room first. Returns its entry. */
  int insert(long aHi, long aLo, long bHi, long bLo, long meta, int hash) {
    int e;
    if (freeHead >= 0) {
      e = freeHead;
      freeHead = freeNext[e];
    } else {
      if (highWater == capacity) {
        allocate(Math.min(maxFlows, capacity * 2));
      }
      e = highWater++;
    }
    int k = e * KEY_WORDS;
    keys[k] = aHi;
    keys[k + 1] = aLo;
    keys[k + 2] = bHi;
    keys[k + 3] = bLo;
    keys[k + 4] = meta;
    hashes[e] = hash;
    live[e] = true;
    rstAt[e] = NONE;
    rstPackets[e] = 0;
    for (int d = 2 * e; d < 2 * e + 2; d++) {
      seen[d] = 0;
      pPackets[d] = 0;
    }
    int slot = hash & mask;
    while (index[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    index[slot] = e + 1;
    size++;
    return e;
  }

  void remove(int e) {
    int slot = hashes[e] & mask;
    while (index[slot] != e + 1) {
      slot = (slot + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    int hole = slot;
    int j = slot;
    while (true) {
      j = (j + 1) & mask;
      int v = index[j];
      if (v == 0) {
        break;
      }
      int home = hashes[v - 1] & mask;
      boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        index[hole] = v;
        hole = j;
      }
    }
    index[hole] = 0;
    live[e] = false;
    freeNext[e] = freeHead;
    freeHead = e;
    size--;
  }

  /** Approximate LRU victim: the least recently seen of a few entries after the clock hand. */
  int victim() {
    int best = -1;
    for (int examined = 0, steps = 0; examined < 8 && steps < highWater; steps++) {
      int e = clockHand;
      clockHand = clockHand + 1 >= highWater ? 0 : clockHand + 1;
      if (!live[e]) {
        continue;
      }
      examined++;
      if (best < 0 || lastSeen[e] < lastSeen[best]) {
        best = e;
      }
    }
    return best;
  }

  int highWater() {
    return highWater;
  }

  static int hash(long aHi, long aLo, long bHi, long bLo, long meta) {
    long h = mix(aLo * 0x9E3779B97F4A7C15L + bLo);
    h = mix(h ^ aHi) + bHi;
    h = mix(h ^ meta);
    return (int) (h ^ (h >>> 32));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static long[] grow(long[] a, int n) {
    return a == null ? new long[n] : Arrays.copyOf(a, n);
  }

  private static int[] grow(int[] a, int n) {
    return a == null ? new int[n] : Arrays.copyOf(a, n);
  }

  private static boolean[] grow(boolean[] a, int n) {
    return a == null ? new boolean[n] : Arrays.copyOf(a, n);
  }
}
