package io.rstscope.agent.capture;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.rstscope.agent.AgentException;
import java.util.function.Supplier;

/**
 * Runs an action with the calling thread inside another network namespace, then returns it to
 * its own. A capture socket opened inside stays bound to that namespace's interface, while the
 * agent's Kafka connections (other threads, made afterwards) stay in the agent's namespace: one
 * agent on the host can watch a router's or a container's interface. Linux setns(2) is per
 * thread, which is what makes this safe for the rest of the JVM.
 */
public final class NetworkNamespace {
  private static final int O_RDONLY = 0;
  private static final int CLONE_NEWNET = 0x40000000;

  private interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);
  }

  private NetworkNamespace() {}

  /** Where {@code ip netns} keeps named namespaces; other values are taken as paths. */
  static String path(String name) {
    return name.startsWith("/") ? name : "/var/run/netns/" + name;
  }

  /** Runs {@code action} inside namespace {@code name}; with a null name, just runs it. */
  public static <T> T within(String name, Supplier<T> action) {
    if (name == null) {
      return action.get();
    }
    LibC libc = Holder.LIBC;
    int own = open(libc, "/proc/thread-self/ns/net", "the agent's own network namespace");
    try {
      int target = open(libc, path(name), "network namespace " + name);
      try {
        enter(libc, target, "cannot enter network namespace " + name);
      } finally {
        libc.close(target);
      }
      try {
        return action.get();
      } finally {
        enter(libc, own, "cannot return to the agent's own network namespace");
      }
    } finally {
      libc.close(own);
    }
  }

  private static int open(LibC libc, String path, String what) {
    try {
      return libc.open(path, O_RDONLY);
    } catch (LastErrorException e) {
      throw new AgentException("no such network namespace: " + what + " (" + path + ", errno " + e.getErrorCode() + ")");
    }
  }

  private static void enter(LibC libc, int fd, String failure) {
    try {
      libc.setns(fd, CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw new AgentException(failure + ": setns errno " + e.getErrorCode()
          + (e.getErrorCode() == 1 ? " (needs root or CAP_SYS_ADMIN)" : ""));
    }
  }
}
