package ai.dilation4j.train;

/** Which part of the network stays fixed while the rest trains. */
public enum Freeze {

    /**
     * fyu/dilation's context-module stage: the front end (conv1_1 … fc-final) is fixed and runs as an inference
     * graph, with no backward pass; the context module (the {@code ct_*} layers) trains on its output.
     */
    FRONTEND,

    /** fyu/dilation's joint stage: every layer trains. */
    NONE
}
