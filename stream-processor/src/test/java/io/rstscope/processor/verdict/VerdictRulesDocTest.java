package io.rstscope.processor.verdict;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.avro.Cause;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/verdict-rules.md lists every rule, evidence code and cause the engine has. */
class VerdictRulesDocTest {
  @Test
  void shouldDocumentEveryRuleEvidenceCodeAndCause() throws Exception {
    Path doc = Path.of("..", "docs", "verdict-rules.md");
    String text = Files.readString(doc);
    for (LocationRules.Rule r : LocationRules.RULES) {
      assertTrue(text.contains("`" + r.name() + "`"), "location rule " + r.name());
    }
    for (CauseRules.Group g : CauseRules.GROUPS) {
      assertTrue(text.contains(g.name() + " ("), "group " + g.name());
      for (CauseRules.Rule r : g.rules()) {
        assertTrue(text.contains("`" + r.name() + "`"), "cause rule " + r.name());
      }
    }
    for (EvidenceCode code : EvidenceCode.values()) {
      assertTrue(text.contains("| " + code.name() + " |"), "evidence code " + code);
    }
    for (Cause cause : Cause.values()) {
      assertTrue(text.contains(cause.name()), "cause " + cause);
    }
  }
}
