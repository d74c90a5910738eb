package ai.dilation4j.converter.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.converter.onnx.proto.Onnx;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import org.junit.jupiter.api.Test;

/**
 * Our onnx.proto is the part of ONNX's schema that export writes: every message, field and enum value it declares
 * has ONNX's name, number and type. Checked against the classes ND4J generated from ONNX's own onnx.proto.
 */
class OnnxSchemaTest {

    @Test
    void everyDeclarationHasOnnxsNumberAndType() {
        List<String> checked = new ArrayList<>();
        for (Descriptor message : Onnx.getDescriptor().getMessageTypes()) {
            compare(message, onnx.Onnx.getDescriptor().findMessageTypeByName(message.getName()), checked);
        }
        assertThat(checked).contains("onnx.ModelProto.graph", "onnx.TensorProto.raw_data", "onnx.NodeProto.op_type",
                "onnx.TensorShapeProto.Dimension.dim_param", "onnx.AttributeProto.AttributeType.INTS");
    }

    private static void compare(Descriptor ours, org.nd4j.shade.protobuf.Descriptors.Descriptor theirs,
                                List<String> checked) {
        assertThat(theirs).as(ours.getFullName()).isNotNull();
        for (FieldDescriptor field : ours.getFields()) {
            var reference = theirs.findFieldByName(field.getName());
            assertThat(reference).as(field.getFullName()).isNotNull();
            assertThat(field.getNumber()).as(field.getFullName()).isEqualTo(reference.getNumber());
            assertThat(field.getType().name()).as(field.getFullName()).isEqualTo(reference.getType().name());
            assertThat(field.isRepeated()).as(field.getFullName()).isEqualTo(reference.isRepeated());
            checked.add(field.getFullName());
        }
        for (Descriptor nested : ours.getNestedTypes()) {
            compare(nested, theirs.findNestedTypeByName(nested.getName()), checked);
        }
        for (EnumDescriptor type : ours.getEnumTypes()) {
            var reference = theirs.findEnumTypeByName(type.getName());
            assertThat(reference).as(type.getFullName()).isNotNull();
            for (EnumValueDescriptor value : type.getValues()) {
                assertThat(reference.findValueByName(value.getName())).as(value.getFullName()).isNotNull()
                        .extracting(org.nd4j.shade.protobuf.Descriptors.EnumValueDescriptor::getNumber)
                        .isEqualTo(value.getNumber());
                checked.add(value.getFullName());
            }
        }
    }
}
