package ai.dilation4j.converter.keras;

import java.util.List;

import ai.dilation4j.converter.api.ConversionException;

/**
 * Maps one Keras layer class to DL4J: adds the vertices computing the layer to the graph being built, records the
 * shape and Keras layout of its output, and declares the weights it brings.
 */
interface KerasLayerMapper {

    /** The Keras class names this mapper handles (Keras 1 and Keras 2 names of one layer). */
    List<String> kerasClasses();

    /** The weight arrays a layer with this configuration has in the weights file, in Keras's order; none by default. */
    default List<String> weightRoles(KerasArchitecture.LayerSpec layer) {
        return List.of();
    }

    void map(KerasNode node, KerasMappingContext context) throws ConversionException;
}
