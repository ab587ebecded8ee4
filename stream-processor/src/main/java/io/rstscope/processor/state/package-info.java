/**
 * State kept by the topology, and how it is stored. Flow state is the hot path (read and written
 * per summary): it has its own compact binary layout with a version byte
 * ({@link io.rstscope.processor.state.FlowStateSerde}); the small per-task stores (pending RSTs,
 * point progress, point pairs, scan windows) are JSON, which ignores unknown fields so a field can be
 * added without a migration. None of it is a contract: changelogs are internal topics.
 */
package io.rstscope.processor.state;
