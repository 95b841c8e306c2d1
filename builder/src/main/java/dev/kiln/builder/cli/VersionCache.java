package dev.kiln.builder.cli;

import dev.kiln.oci.files.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import picocli.CommandLine;

/**
 * The JVM's answer to {@code kiln --version}, kept for the launcher script ({@code kiln}) to give
 * next time without starting a JVM. The launcher asks for it with {@code -Dkiln.versionCache=FILE}
 * when it has no answer for this jar, JDK and kernel. The file is a header the launcher checks (the
 * JDK's version and the kernel's release the answer names, the answer's length) and then the answer
 * byte for byte as picocli prints it. It is written to a temporary file, given the jar's time (the
 * launcher takes no file written to since) and renamed into place, so a reader never sees half of
 * one. An answer that is not ASCII is not kept (its bytes would depend on the locale), and a failure
 * to write it is silent: the JVM answers again next time.
 */
final class VersionCache {
    /** The system property the launcher names the file in. */
    static final String PROPERTY = "kiln.versionCache";

    private VersionCache() {}

    /**
     * Writes {@code cl}'s version answer to {@code file} when {@code args} asked for nothing else
     * ({@code --version} or {@code -V} alone) and {@code file} is set.
     */
    static void recordIfAsked(CommandLine cl, String[] args, String file) {
        if (file == null || args.length != 1 || !(args[0].equals("--version") || args[0].equals("-V"))) {
            return;
        }
        StringWriter answer = new StringWriter();
        cl.printVersionHelp(new PrintWriter(answer, true), CommandLine.Help.Ansi.OFF);
        String text = contents(answer.toString());
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            return;
        }
        Path target = Path.of(file);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.setLastModifiedTime(tmp, jarTime());
            AtomicFiles.publish(tmp, target, true);
        } catch (IOException | RuntimeException | URISyntaxException e) {
            // no answer kept: the JVM gives it next time too
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a left-over temporary file is only a few bytes
                }
            }
        }
    }

    /** The file's contents for {@code answer}: the header the launcher checks, then the answer. */
    static String contents(String answer) {
        return "kiln --version 1\n"
                + "java " + System.getProperty("java.version") + "\n"
                + "os " + System.getProperty("os.version") + "\n"
                + "bytes " + answer.length() + "\n"
                + answer;
    }

    /** The time of the jar (or class directory) kiln runs from. */
    private static FileTime jarTime() throws IOException, URISyntaxException {
        return Files.getLastModifiedTime(
                Path.of(VersionCache.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
}
