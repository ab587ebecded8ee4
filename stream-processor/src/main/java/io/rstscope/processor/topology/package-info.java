/**
 * The RST locator's Kafka Streams topology ({@link io.rstscope.processor.topology.RstTopology}).
 *
 * <p>Why it is built this way:
 * <ul>
 *   <li>Processor API for the locator: verdicts are driven by watermarks that agents send to every
 *       partition with a dummy key, by a wall-clock fallback, and by state spread over five stores;
 *       the DSL's windowed joins would decide on stream time, which one slow point cannot hold back.</li>
 *   <li>Event time is the agents' capture time, and completeness is per point: a pending RST is
 *       decided when every known or expected point's watermark has passed its first sighting plus
 *       correlationWindow plus clockSkewAllowance (in that point's clock, offsets applied). Final
 *       watermarks (Long.MAX_VALUE) therefore flush everything at once, which {@code analyze} relies
 *       on; {@code maxVerdictWait} of wall-clock time decides anyway for a point that went silent,
 *       and the evidence says which one.</li>
 *   <li>Identical RSTs (a kernel answering several segments repeats its RST byte for byte, IP ID 0)
 *       are told apart by their occurrence number at each point, so each gets its own finding.</li>
 *   <li>A sighting that arrives after its RST was decided is counted ({@code lateSightings}), not
 *       re-judged: findings are emitted once, and consumers never see a verdict change.</li>
 *   <li>Everything is named (nodes, stores, repartition topics) and {@code describe()} is pinned by a
 *       test: renaming a store is a state migration.</li>
 *   <li>Nothing leaves the topology except through its sinks and the Streams producer (dead letters
 *       included), so exactly_once_v2 covers findings, aggregates, state and dead letters alike.</li>
 * </ul>
 */
package io.rstscope.processor.topology;
