package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import io.rstscope.processor.verdict.KernelCauses.Answered;
import io.rstscope.processor.verdict.KernelCauses.Situation;
import io.rstscope.schemas.KernelReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class KernelCausesTest {

  @ParameterizedTest(name = "{0} in {1}, from client {2}, answering {3} -> {5}")
  @CsvSource({
      "NO_SOCKET, UNKNOWN, false, SYN, unknown, port_closed",
      "NO_SOCKET, UNKNOWN, false, SYN, malformed_syn, malformed_syn",
      "NO_SOCKET, UNKNOWN, true, OTHER, time_wait_collision, time_wait_collision",
      "TCP_ABORT_ON_CLOSE, TCP_CLOSE, false, OTHER, idle_timeout, idle_timeout",
      "NO_SOCKET, UNKNOWN, true, SYN_ACK, unknown, syn_scan",
      "NO_SOCKET, UNKNOWN, true, OTHER, abort, no_socket",
      "NO_SOCKET, UNKNOWN, false, SYN_ACK, unknown, no_socket",
      "TCP_FLAGS, TCP_LISTEN, false, OTHER, unknown, no_socket",
      "TCP_KEEPALIVE_TIMEOUT, TCP_ESTABLISHED, false, OTHER, abort, idle_timeout",
      "TCP_ABORT_ON_CLOSE, TCP_CLOSE, false, OTHER, unknown, abort",
      "TCP_ABORT_ON_LINGER, TCP_CLOSE, false, OTHER, unknown, abort",
      "TCP_ABORT_ON_MEMORY, TCP_CLOSE, false, OTHER, unknown, abort",
      "TCP_STATE, TCP_CLOSE, true, OTHER, connect_scan, connect_scan",
      "TCP_STATE, TCP_CLOSE, false, OTHER, connect_scan, abort",
      "TCP_ABORT_ON_DATA, TCP_FIN_WAIT2, false, OTHER, abort, data_after_close",
      "TCP_TIMEWAIT_SOCKET, TCP_TIME_WAIT, false, OTHER, no_socket, data_after_close",
      "INVALID_SYN, TCP_NEW_SYN_RECV, false, OTHER, connect_scan, backlog_overflow",
  })
  void shouldMapTheKernelsReasonOntoTheCause(String reason, String state, boolean fromClient, Answered answered,
      Cause packets, Cause expected) {
    KernelCauses.Row row = KernelCauses.match(new Situation(reason, state, fromClient, answered, packets));
    assertEquals(expected, row.cause() == null ? packets : row.cause());
  }

  @ParameterizedTest
  @EnumSource(value = KernelReason.class, names = {"NOT_SPECIFIED", "TCP_INVALID_ACK_SEQUENCE", "TCP_RFC7323_PAWS",
      "TCP_TOO_OLD_ACK", "TCP_ACK_UNSENT_DATA", "TCP_OLD_ACK", "TCP_DISCONNECT_WITH_DATA", "MPTCP_RST_EUNSPEC",
      "MPTCP_RST_EMPTCP", "MPTCP_RST_ERESOURCE", "MPTCP_RST_EPROHIBIT", "MPTCP_RST_EWQ2BIG", "MPTCP_RST_EBADPERF",
      "MPTCP_RST_EMIDDLEBOX", "ERROR"})
  void shouldLeaveTheCauseToThePacketsForTheOtherReasons(KernelReason reason) {
    assertNull(KernelCauses.match(new Situation(reason.name(), "TCP_ESTABLISHED", false, Answered.OTHER, Cause.abort)));
  }

  @Test
  void shouldLeaveTheCauseToThePacketsForAReasonItDoesNotKnowOrNone() {
    assertNull(KernelCauses.match(new Situation("TCP_SOMETHING_NEW", "TCP_CLOSE", false, Answered.OTHER, Cause.abort)));
    assertNull(KernelCauses.match(new Situation(null, "TCP_CLOSE", false, Answered.OTHER, Cause.abort)));
  }

  @Test
  void shouldDocumentEveryRowInTheDocs() throws Exception {
    Path doc = Path.of("..", "docs", "kernel-reasons.md");
    String text = Files.readString(doc);
    for (KernelCauses.Row row : KernelCauses.ROWS) {
      assertTrue(text.contains("`" + row.name() + "`"), "docs/kernel-reasons.md lacks row " + row.name());
    }
    for (KernelReason r : KernelReason.values()) {
      assertTrue(text.contains(r.name()), "docs/kernel-reasons.md lacks reason " + r.name());
    }
    assertTrue(Set.of(KernelCauses.ROWS.stream().map(KernelCauses.Row::name).toArray()).size() == KernelCauses.ROWS.size());
  }
}
