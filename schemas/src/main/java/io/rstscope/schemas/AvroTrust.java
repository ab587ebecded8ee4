package io.rstscope.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate classes from packages it was not told to trust and
 * fails decoding with a SecurityException. Trust our generated package once, here, so no
 * process needs the {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property.
 */
final class AvroTrust {
  static final String GENERATED_PACKAGE = "io.rstscope.avro";
  private static volatile boolean installed;

  private AvroTrust() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
        type -> type.getPackageName().equals(GENERATED_PACKAGE)));
    installed = true;
  }
}
