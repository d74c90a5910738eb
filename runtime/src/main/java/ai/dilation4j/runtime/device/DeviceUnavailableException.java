package ai.dilation4j.runtime.device;

import ai.dilation4j.runtime.DilationException;

/** The requested device cannot run dilation4j here; the message says why and what to do. */
public class DeviceUnavailableException extends DilationException {
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
