package io.rstscope.processor.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class ProcessorRunnerTest {

  @Test
  void shouldAdvertiseWhatOtherInstancesCanReach() {
    assertEquals("proc1.example.net", ProcessorRunner.advertisedHost("proc1.example.net", "0.0.0.0"));
    assertEquals("127.0.0.1", ProcessorRunner.advertisedHost(null, "127.0.0.1"));
    String wildcard = ProcessorRunner.advertisedHost(null, "0.0.0.0");
    assertFalse(wildcard.equals("0.0.0.0") || wildcard.isBlank(), "a wildcard is not an address: " + wildcard);
  }
}
