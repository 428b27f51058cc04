package dev.headstart.admission;

/**
 * One webhook's decision logic, free of HTTP: the edge decodes, calls this, and encodes. Must not
 * throw for any well-formed request.
 */
public interface AdmissionHandler {

    AdmissionResponse handle(AdmissionRequest request);
}
