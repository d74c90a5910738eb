package ai.dilation4j.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Copies of model files with some entries edited, for tests of files that are damaged, edited or old. */
public final class ModelZips {

    private ModelZips() {
    }

    /** Copies a model zip with some text entries edited; STORED entries stay STORED. */
    public static Path rewrite(Path source, Path target, Map<String, UnaryOperator<String>> edits) throws IOException {
        Map<String, UnaryOperator<byte[]>> byteEdits = new LinkedHashMap<>();
        edits.forEach((entry, edit) -> byteEdits.put(entry, bytes -> edit.apply(
                new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        return rewriteBytes(source, target, byteEdits, true);
    }

    /** Copies a model zip with some entries' content replaced, deflating all or all but the STORED ones. */
    public static Path rewriteBytes(Path source, Path target, Map<String, UnaryOperator<byte[]>> edits, boolean keepStored)
            throws IOException {
        try (ZipFile zip = new ZipFile(source.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                byte[] content;
                try (InputStream in = zip.getInputStream(entry)) {
                    content = in.readAllBytes();
                }
                content = edits.getOrDefault(entry.getName(), UnaryOperator.identity()).apply(content);
                ZipEntry copy = new ZipEntry(entry.getName());
                if (entry.getMethod() == ZipEntry.STORED && keepStored) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(content.length);
                    copy.setCrc(crc.getValue());
                }
                out.putNextEntry(copy);
                out.write(content);
                out.closeEntry();
            }
        }
        return target;
    }
}
