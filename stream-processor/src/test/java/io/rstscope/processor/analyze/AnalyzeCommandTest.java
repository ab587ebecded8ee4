package io.rstscope.processor.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rstscope.processor.cli.RstscopeMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code rstscope analyze}: one line on stderr, exit code 2, nothing started; and --version. */
class AnalyzeCommandTest {

  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = RstscopeMain.run(args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static void assertOneLineError(Outcome o, String expectedFragment) {
    assertEquals(2, o.code(), o.err());
    assertEquals(1, o.err().strip().lines().count(), "exactly one line: " + o.err());
    assertTrue(o.err().startsWith("rstscope: "), o.err());
    assertTrue(o.err().contains(expectedFragment), o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
  }

  @Test
  void shouldRefuseAMissingFileInOneLine() {
    assertOneLineError(run("analyze", "--point", "P1=/nonexistent/capture.pcap"), "no such file");
  }

  @Test
  void shouldRefuseAFileThatIsNotACapture(@TempDir Path dir) throws Exception {
    Path text = Files.writeString(dir.resolve("notes.pcap"), "this is not a capture file");
    assertOneLineError(run("analyze", "--point", "P1=" + text), "not a pcap or pcapng file");
  }

  @Test
  void shouldRefuseAnUnknownFlag() {
    assertOneLineError(run("analyze", "--bogus"), "--bogus");
  }

  @Test
  void shouldRefuseAPointSpecWithoutAName() {
    assertOneLineError(run("analyze", "--point", "capture.pcap"), "NAME=FILE");
  }

  @Test
  void shouldRefuseAPathNamingAnUnknownPoint(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("a.pcap");
    // A valid, empty pcap: global header only (magic, v2.4, snaplen 384, Ethernet).
    Files.write(pcap, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        (byte) 0x80, 1, 0, 0, 1, 0, 0, 0});
    assertOneLineError(run("analyze", "--point", "P1=" + pcap, "--path", "P1,P9"), "P9");
  }

  @Test
  void shouldRefuseAnUnknownFormat(@TempDir Path dir) throws Exception {
    assertOneLineError(run("analyze", "--point", "P1=x", "--format", "xml"), "--format");
  }

  @Test
  void shouldNameAFolderGivenAsACaptureFile(@TempDir Path dir) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("P1.pcap"));
    assertOneLineError(run("analyze", "--point", "P1=" + folder), "a folder, not a capture file");
  }

  @Test
  void shouldNameADanglingSymbolicLink(@TempDir Path dir) throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("P1.pcap"), dir.resolve("gone.pcap"));
    assertOneLineError(run("analyze", "--point", "P1=" + link), "symbolic link to " + dir.resolve("gone.pcap")
        + ", which does not exist");
  }

  @Test
  void shouldRefuseANamedPipeWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("P1.pcap");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor());
    // Nobody writes to it: reading it would block for ever, so the check must not open it.
    assertOneLineError(run("analyze", "--dir", dir.toString()), "a named pipe (FIFO)");
  }

  @Test
  void shouldRefuseAnUnknownCauseBeforeAnythingStarts() {
    assertOneLineError(run("analyze", "--point", "P1=x", "--cause", "port_closed,bogus"), "bogus is not a cause");
  }

  @Test
  void shouldRefuseATimeWithoutADate() {
    assertOneLineError(run("analyze", "--point", "P1=x", "--until", "10:00"), "--until wants a date and time");
  }

  @Test
  void shouldRefuseAnOutputInAMissingFolderBeforeTheRun(@TempDir Path dir) throws Exception {
    Path pcap = emptyPcap(dir);
    assertOneLineError(run("analyze", pcap.toString(), "--out", dir.resolve("no/such/folder/r.html").toString()),
        "no folder");
    assertOneLineError(run("analyze", pcap.toString(), "--extract", pcap.toString()), "not a folder");
  }

  @Test
  void shouldRefuseABootstrapNobodyAnswers(@TempDir Path dir) throws Exception {
    assertOneLineError(run("analyze", emptyPcap(dir).toString(), "--bootstrap", "127.0.0.1:1"), "no Kafka answered");
  }

  @Test
  void shouldNameAPositionalFileThatCannotNameAPoint(@TempDir Path dir) throws Exception {
    Path odd = Files.copy(emptyPcap(dir), dir.resolve("a b.pcap"));
    assertOneLineError(run("analyze", odd.toString()), "give it as NAME=");
  }

  @Test
  void shouldPrintTheVersionOfEveryCommand() {
    for (String[] args : new String[][] {{"--version"}, {"analyze", "--version"}, {"processor", "--version"}}) {
      Outcome o = run(args);
      assertEquals(0, o.code(), o.err());
      assertTrue(o.out().matches("rstscope( analyze| processor)? \\S+ \\(Java .*\\)\\s*"), o.out());
      assertTrue(args.length == 1 || o.out().contains(args[0]), o.out());
    }
  }

  /** A valid pcap with no packet: global header only (magic, v2.4, snaplen 384, Ethernet). */
  static Path emptyPcap(Path dir) throws Exception {
    return Files.write(dir.resolve("P1.pcap"), new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0,
        0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x80, 1, 0, 0, 1, 0, 0, 0});
  }
}
