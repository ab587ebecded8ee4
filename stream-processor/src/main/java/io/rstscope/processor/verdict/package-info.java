/**
 * The verdict on one RST, pure and unit-tested apart from Kafka: {@link io.rstscope.processor.verdict.VerdictEngine}.
 *
 * <p>{@link io.rstscope.processor.verdict.Facts} are computed once from the {@link
 * io.rstscope.processor.verdict.RstCase}; the {@link io.rstscope.processor.verdict.LocationRules} decide who made
 * the RST and where (absence at an upstream point that was capturing the flow first, then TTL against the claimed
 * sender's own packets just before it, then the single-point tells, never accusing a sender whose TTL matches);
 * the {@link io.rstscope.processor.verdict.CauseRules} decide why, in groups by emitter and phase; evidence codes
 * are {@link io.rstscope.processor.verdict.EvidenceCode}s. The rule tables for users: docs/verdict-rules.md.
 */
package io.rstscope.processor.verdict;
