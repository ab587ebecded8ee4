/**
 * The faces of a finding: the RstFinding Avro record, the {@code analyze --format jsonl} line of
 * DESIGN.md and an Elastic Common Schema document for SIEMs ({@link io.rstscope.processor.output.FindingJson}),
 * and the stable finding id.
 */
package io.rstscope.processor.output;
