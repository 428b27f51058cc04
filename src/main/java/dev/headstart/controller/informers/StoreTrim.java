package dev.headstart.controller.informers;

/**
 * Narrows an object in place just before its store keeps it, and puts it back right after: the
 * handlers, next, get the object whole. For what a stored field's path cannot say, such as "of
 * each container, only its image and resources" ({@link PodTemplateContainers}).
 */
@FunctionalInterface
public interface StoreTrim<T> {

    /** Narrows {@code obj} in place; the result puts it back as it was. */
    Runnable narrow(T obj);

    /** Keeps the stored fields whole. */
    static <T> StoreTrim<T> none() {
        return obj -> () -> { };
    }
}
