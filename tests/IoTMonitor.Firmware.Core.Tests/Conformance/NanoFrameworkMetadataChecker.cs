using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace IoTMonitor.Firmware.Core.Tests.Conformance;

/// <summary>
/// Reads an assembly's metadata and lists what nanoFramework (CoreLibrary 1.x) cannot run though
/// the compiler accepted it: generic type/method definitions, generic instantiations anywhere
/// (TypeSpec, MethodSpec, signatures: this covers Nullable&lt;T&gt;, Action&lt;T&gt;, List&lt;T&gt;),
/// async state machines, and references to assemblies other than mscorlib.
/// </summary>
internal static class NanoFrameworkMetadataChecker
{
    public static List<string> Check(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var problems = new List<string>();
        var provider = new GenericSpotter(problems);

        foreach (var h in md.AssemblyReferences)
        {
            var name = md.GetString(md.GetAssemblyReference(h).Name);
            if (name != "mscorlib")
            {
                problems.Add("assembly reference to " + name);
            }
        }

        foreach (var h in md.TypeReferences)
        {
            var tr = md.GetTypeReference(h);
            var name = md.GetString(tr.Namespace) + "." + md.GetString(tr.Name);
            if (name is "System.Nullable`1" or "System.Runtime.CompilerServices.IAsyncStateMachine"
                or "System.Runtime.CompilerServices.AsyncStateMachineAttribute")
            {
                problems.Add("type reference to " + name);
            }
        }

        foreach (var h in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(h);
            var typeName = md.GetString(td.Namespace) + "." + md.GetString(td.Name);
            if (td.GetGenericParameters().Count > 0)
            {
                problems.Add("generic type definition " + typeName);
            }

            foreach (var ih in td.GetInterfaceImplementations())
            {
                var iface = md.GetInterfaceImplementation(ih).Interface;
                if (iface.Kind == HandleKind.TypeReference && md.GetString(md.GetTypeReference((TypeReferenceHandle)iface).Name) == "IAsyncStateMachine")
                {
                    problems.Add("async state machine " + typeName);
                }
            }

            foreach (var fh in td.GetFields())
            {
                provider.Where = typeName + "." + md.GetString(md.GetFieldDefinition(fh).Name);
                md.GetFieldDefinition(fh).DecodeSignature(provider, null);
            }

            foreach (var mh in td.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                provider.Where = typeName + "::" + md.GetString(m.Name);
                if (m.GetGenericParameters().Count > 0)
                {
                    problems.Add("generic method definition " + provider.Where);
                }

                m.DecodeSignature(provider, null);
                foreach (var ah in m.GetCustomAttributes())
                {
                    if (AttributeTypeName(md, md.GetCustomAttribute(ah)) == "AsyncStateMachineAttribute")
                    {
                        problems.Add("async method " + provider.Where);
                    }
                }

                if (m.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(m.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
                    }
                }
            }
        }

        for (int row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            provider.Where = "TypeSpec";
            md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row)).DecodeSignature(provider, null);
        }

        foreach (var h in md.MemberReferences)
        {
            var mr = md.GetMemberReference(h);
            provider.Where = "MemberRef " + md.GetString(mr.Name);
            if (mr.GetKind() == MemberReferenceKind.Method)
            {
                mr.DecodeMethodSignature(provider, null);
            }
            else
            {
                mr.DecodeFieldSignature(provider, null);
            }
        }

        if (md.GetTableRowCount(TableIndex.MethodSpec) > 0)
        {
            problems.Add("generic method instantiations (MethodSpec rows): " + md.GetTableRowCount(TableIndex.MethodSpec));
        }

        return problems.Distinct().ToList();
    }

    private static string AttributeTypeName(MetadataReader md, CustomAttribute a)
    {
        if (a.Constructor.Kind == HandleKind.MemberReference)
        {
            var parent = md.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference)
            {
                return md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name);
            }
        }
        else if (a.Constructor.Kind == HandleKind.MethodDefinition)
        {
            var t = md.GetMethodDefinition((MethodDefinitionHandle)a.Constructor).GetDeclaringType();
            return md.GetString(md.GetTypeDefinition(t).Name);
        }

        return "";
    }

    /// <summary>Signature decoder that reports every generic instantiation it meets.</summary>
    private sealed class GenericSpotter(List<string> problems) : ISignatureTypeProvider<string, object?>
    {
        public string Where { get; set; } = "";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        {
            problems.Add("generic instantiation " + genericType + "<" + string.Join(",", typeArguments) + "> in " + Where);
            return genericType;
        }

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
