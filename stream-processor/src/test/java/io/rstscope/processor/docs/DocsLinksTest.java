package io.rstscope.processor.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md and docs/*.md points at a file or folder a clone contains (no
 * link out of the repository, such as ../shared), and every #anchor into a Markdown file names
 * one of its headings.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  @Test
  void shouldLinkOnlyToFilesACloneHas() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path doc : docs) {
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // a URL
        }
        links++;
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(doc) + ": " + target + " (no such file in the repository)");
        } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(doc) + ": " + target + " (no such heading)");
        }
      }
    }
    assertTrue(links > 10, "found only " + links + " relative links: is the pattern right?");
    assertTrue(broken.isEmpty(), String.join("\n", broken));
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'. */
  private static List<String> anchors(Path md) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(md)) {
      if (line.startsWith("#")) {
        String h = line.replaceFirst("^#+\\s*", "").strip().toLowerCase();
        out.add(h.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }
}
