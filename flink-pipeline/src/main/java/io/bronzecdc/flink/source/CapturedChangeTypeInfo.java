package io.bronzecdc.flink.source;

import java.io.Serial;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information of {@link CapturedChange}: its own {@link CapturedChangeSerializer}. */
public final class CapturedChangeTypeInfo extends TypeInformation<CapturedChange> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<CapturedChange> getTypeClass() {
        return CapturedChange.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<CapturedChange> createSerializer(SerializerConfig config) {
        return CapturedChangeSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<CapturedChange> createSerializer(ExecutionConfig config) {
        return CapturedChangeSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "CapturedChange";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedChangeTypeInfo;
    }

    @Override
    public int hashCode() {
        return CapturedChangeTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof CapturedChangeTypeInfo;
    }

    /** What {@code @TypeInfo} on {@link CapturedChange} names. */
    public static final class Factory extends TypeInfoFactory<CapturedChange> {
        @Override
        public TypeInformation<CapturedChange> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return new CapturedChangeTypeInfo();
        }
    }
}
