package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every rule of both tables fires on a case of its own, and a new rule without a case here fails the build:
 * each entry is the smallest three-point story that the rule, and no rule before it, explains.
 */
class RuleCoverageTest {
  private static final long C = 1000;
  private static final long S = 5000;

  private static CaseBuilder handshake() {
    return new CaseBuilder().packet(0, true, "S", C, 0, 0).packet(1, false, "SA", S, C + 1, 0)
        .packet(2, true, "A", C + 1, S + 1, 0);
  }

  private static CaseBuilder established() {
    return handshake().packet(3, true, "PA", C + 1, S + 1, 10).packet(4, false, "PA", S + 1, C + 11, 10)
        .packet(5, true, "A", C + 11, S + 11, 0);
  }

  /** Location rule name -> a case it decides. */
  private static Map<String, Supplier<RstCase>> locationCases() {
    Map<String, Supplier<RstCase>> m = new LinkedHashMap<>();
    m.put("absent_upstream", () -> established().rst(6, false, "RA", S + 11, C + 11, 128, "P1", "P2").build());
    m.put("flow_stopped_upstream", () -> new CaseBuilder()
        .packetAt(List.of("P1", "P2"), 0, true, "S", C, 0, 0, -1, null, null).point("P3", true, false)
        .rst(1, false, "RA", 0, C + 1, 64, "P1", "P2").build());
    m.put("ttl_differs", () -> established().onlyPointsKeepingPackets("P1")
        .rst(6, false, "RA", S + 11, C + 11, 100, "P1").build());
    m.put("ttl_matches_but_data_after", () -> established().onlyPointsKeepingPackets("P1")
        .packetAt(List.of("P1"), 300, false, "PA", S + 11, C + 11, 20, -1, null, null)
        .rst(6, false, "R", S + 11, 0, 62, "P1").build());
    // The client's only packets are SYNs (no TTL conclusion), and it sends its SYN again after the RST.
    m.put("data_after_own_rst", () -> new CaseBuilder().onlyPoints("P2", "P3").packet(0, true, "S", C, 0, 0)
        .packet(1, false, "SA", S, C + 1, 0).packet(1000, true, "S", C, 0, 0)
        .rst(1.2, true, "R", C + 1, 0, 255, "P2", "P3").build());
    m.put("spread_rst_burst", () -> new CaseBuilder().onlyPoints("P1").packet(0, true, "S", C, 0, 0)
        .packetAt(List.of("P1"), 6.1, false, "R", S + 1461, 0, 0, 90, null, null)
        .rst(6, false, "R", S + 1, 0, 90, "P1").build());
    m.put("never_used_sequence", () -> new CaseBuilder().onlyPoints("P1")
        .packetAt(List.of("P1"), 0, true, "S", C, 0, 0, 50, null, null)
        .rst(1, true, "R", C + 100_000_000L, 0, 64, "P1").build());
    m.put("claimed_sender", () -> established().rst(6, false, "RA", S + 11, C + 11, -1, "P1", "P2", "P3").build());
    return m;
  }

  /** group/rule name -> a case it decides. */
  private static Map<String, Supplier<RstCase>> causeCases() {
    Map<String, Supplier<RstCase>> m = new LinkedHashMap<>();
    m.put("collateral/answer_after_earlier_rst", () -> established()
        .packetAt(List.of("P1", "P2", "P3"), 6, false, "RA", S + 11, C + 11, 0, -1, null, null)
        .packet(7, true, "PA", C + 11, S + 11, 10).rst(8, false, "R", S + 11, 0, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/malformed_syn", () -> new CaseBuilder().packet(0, true, "FS", C, 0, 0)
        .rst(1, false, "RA", 0, C + 1, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/accept_queue_overflow", () -> handshake()
        .rst(3, false, "R", S + 1, 0, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/time_wait_server", () -> new CaseBuilder().packet(0, true, "FA", C - 50, S - 50, 0)
        .packet(100, true, "S", C, 0, 0).rst(101, false, "RA", 0, C + 1, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/port_closed", () -> new CaseBuilder().packet(0, true, "S", C, 0, 0)
        .rst(1, false, "RA", 0, C + 1, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/keepalive_timeout", () -> handshake()
        .packet(1002, false, "A", S, C + 1, 0).rst(2002, false, "RA", S + 1, C + 1, -1, "P1", "P2", "P3").build());
    m.put("server_before_accept/never_accepted", () -> handshake().packet(3, true, "PA", C + 1, S + 1, 10)
        .rst(2003, false, "RA", S + 1, C + 11, -1, "P1", "P2", "P3").build());
    m.put("client_in_handshake/time_wait_client", () -> new CaseBuilder().packet(0, true, "S", C, 0, 0)
        .packet(0.2, false, "A", S + 9, C - 7, 0).rst(0.3, true, "R", C - 7, 0, -1, "P1", "P2", "P3").build());
    m.put("client_in_handshake/syn_scan", () -> new CaseBuilder().packet(0, true, "S", C, 0, 0)
        .packet(1, false, "SA", S, C + 1, 0).rst(1.1, true, "R", C + 1, 0, -1, "P1", "P2", "P3").build());
    m.put("client_in_handshake/connect_scan", () -> handshake()
        .rst(2.1, true, "RA", C + 1, S + 1, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/keepalive_timeout", () -> established()
        .packet(1005, false, "A", S + 10, C + 11, 0).rst(2005, false, "RA", S + 11, C + 11, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/data_after_close", () -> established()
        .packet(10, false, "FA", S + 11, C + 11, 0).packet(300, true, "PA", C + 11, S + 12, 10)
        .rst(300.3, false, "RA", S + 12, C + 11, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/answer_without_socket", () -> established()
        .packet(6, true, "PA", C + 11, S + 11, 10).rst(6.2, false, "R", S + 11, 0, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/idle_timeout", () -> established()
        .rst(1005, false, "RA", S + 11, C + 11, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/reset_after_peer_fin", () -> established()
        .packet(10, true, "FA", C + 11, S + 11, 0).rst(11, false, "RA", S + 11, C + 12, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/active_abort", () -> established()
        .rst(6, false, "RA", S + 11, C + 11, -1, "P1", "P2", "P3").build());
    m.put("endpoint_established/reply_form", () -> established()
        .rst(6, false, "R", S + 77, 0, -1, "P1", "P2", "P3").build());
    m.put("device_in_handshake/reject_of_syn", () -> new CaseBuilder()
        .packetAt(List.of("P1", "P2"), 0, true, "S", C, 0, 0, -1, null, null).point("P3", true, false)
        .rst(1, false, "RA", 0, C + 1, 64, "P1", "P2").build());
    m.put("device_in_handshake/reject_of_synack", () -> new CaseBuilder().packet(0, true, "S", C, 0, 0)
        .packetAt(List.of("P2", "P3"), 1, false, "SA", S, C + 1, 0, -1, null, null)
        .rst(1.2, true, "R", C + 1, 0, 255, "P2", "P3").build());
    m.put("device_in_handshake/reject_stopped_trigger", () -> new CaseBuilder().packet(0, true, "S", C, 0, 0)
        .packetAt(List.of("P1", "P2"), 1, true, "S", C, 0, 0, -1, null, null)
        .packet(1.5, false, "SA", S, C + 1, 0)
        .packetAt(List.of("P1"), 2, true, "A", C + 1, S + 1, 0, -1, null, null)
        .rst(2.1, false, "R", S + 1, 0, 255, "P1").build());
    m.put("device_in_handshake/race_with_synack", () -> handshake()
        .rst(1.1, false, "R", S + 1, 0, 128, "P1", "P2").build());
    m.put("device_established/block_after_client_hello", () -> handshake()
        .hint(3, "TLS_CLIENT_HELLO", "x.example", C + 1, S + 1, 300).rst(3.5, false, "RA", S + 1, C + 301, 128, "P1", "P2").build());
    m.put("device_established/block_after_http_request", () -> handshake()
        .hint(3, "HTTP_REQUEST", "GET x/y", C + 1, S + 1, 80).rst(3.5, false, "R", S + 1, 0, 128, "P1", "P2").build());
    m.put("device_established/state_lost_reject", () -> established()
        .packetAt(List.of("P1"), 2000, true, "PA", C + 11, S + 11, 20, -1, null, null)
        .rst(2000.2, false, "R", S + 11, 0, 255, "P1").build());
    m.put("device_established/reset_after_fin", () -> established()
        .packet(10, true, "FA", C + 11, S + 11, 0).rst(10.5, false, "R", S + 11, 0, 255, "P1").build());
    m.put("device_established/state_lost_after_silence", () -> established()
        .rst(2000, false, "R", S + 11, 0, 255, "P1").build());
    m.put("device_established/injected_mid_flow", () -> established()
        .rst(6, false, "R", S + 11, 0, 128, "P1", "P2").build());
    m.put("device_established/device_mid_flow", () -> established().onlyPointsKeepingPackets("P1")
        .rst(6, false, "R", S + 11, 0, 255, "P1").build());
    m.put("fallback/no_rule", () -> new CaseBuilder().onlyPoints("P1").rst(0, false, "R", 77, 0, 62, "P1").build());
    return m;
  }

  private static String causeRuleOf(RstCase c) {
    Facts f = Facts.of(c);
    CauseRules.Situation s = new CauseRules.Situation(f, LocationRules.decide(f));
    CauseRules.Rule r = CauseRules.decide(s);
    for (CauseRules.Group g : CauseRules.GROUPS) {
      if (g.rules().contains(r) && g.applies().test(s)) {
        return g.name() + "/" + r.name();
      }
    }
    throw new AssertionError("rule in no group: " + r.name());
  }

  @Test
  void shouldFireEveryLocationRuleOnItsOwnCase() {
    Map<String, Supplier<RstCase>> cases = locationCases();
    assertEquals(new TreeSet<>(LocationRules.RULES.stream().map(LocationRules.Rule::name).toList()),
        new TreeSet<>(cases.keySet()), "every location rule has a case here");
    cases.forEach((rule, c) -> assertEquals(rule, LocationRules.decide(Facts.of(c.get())).rule().name(), rule));
  }

  @Test
  void shouldFireEveryCauseRuleOnItsOwnCase() {
    Map<String, Supplier<RstCase>> cases = causeCases();
    TreeSet<String> all = new TreeSet<>();
    for (CauseRules.Group g : CauseRules.GROUPS) {
      g.rules().forEach(r -> all.add(g.name() + "/" + r.name()));
    }
    assertTrue(cases.keySet().containsAll(all), "every cause rule has a case here; missing: "
        + all.stream().filter(r -> !cases.containsKey(r)).toList());
    cases.forEach((rule, c) -> assertEquals(rule, causeRuleOf(c.get()), rule));
  }
}
